/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c: the list of optional subsystems wired into the program (see
 * include/sysemu/sysemu.h).  Each later subsystem (virtio-mem, dump, TPM)
 * adds its registration call here.
 */
#include "qemu/osdep.h"
#include "hw/misc/vmcoreinfo.h"
#include "hw/tpm/tpm_crb.h"
#include "hw/virtio/virtio-mem.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio.h"
#include "qapi/qapi-commands.h"
#include "qemu/error.h"
#include "sysemu/dump.h"
#include "sysemu/sysemu.h"
#include "sysemu/tpm_backend.h"

void sysemu_register_device_types(void)
{
    tpm_crb_register_types();
    virtio_register_types();
    virtio_mmio_register_types();
    virtio_mem_register_types();
    vmcoreinfo_register_types();
}

void sysemu_register_commands(void)
{
    tpm_backend_register_commands();
    dump_register_commands();
}

bool sysemu_tpmdev_add(const char *optarg, Error **errp)
{
    if (!strcmp(optarg, "help")) {
        tpm_backend_help();
        exit(0);
    }
    return tpm_backend_add_opts(optarg, errp);
}

void sysemu_cleanup(void)
{
    tpm_backend_cleanup();
    dump_cleanup_at_exit();
}

static char **vm_name_ptr;

static NameInfo *qmp_query_name(Error **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);

    info->name = g_strdup(*vm_name_ptr);
    return info;
}

/*
 * The option groups of query-command-line-options, with QEMU's group
 * names and the parameters this binary accepts.  Groups whose parameters
 * are QOM properties (machine, object, device, accel) list none, as
 * QEMU's do: clients ask qom-list-properties.
 */
typedef struct CmdlineParam {
    const char *name;
    CommandLineParameterType type;
} CmdlineParam;

static const struct {
    const char *option;
    CmdlineParam params[8];
} cmdline_groups[] = {
    { "machine", { { NULL } } },
    { "accel", { { NULL } } },
    { "object", { { NULL } } },
    { "device", { { NULL } } },
    { "memory", { { "size", COMMAND_LINE_PARAMETER_TYPE_SIZE },
                  { "slots", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                  { "maxmem", COMMAND_LINE_PARAMETER_TYPE_SIZE } } },
    { "smp-opts", { { "cpus", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "maxcpus", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "sockets", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "dies", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "clusters", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "cores", COMMAND_LINE_PARAMETER_TYPE_NUMBER },
                    { "threads", COMMAND_LINE_PARAMETER_TYPE_NUMBER } } },
    { "chardev", { { "backend", COMMAND_LINE_PARAMETER_TYPE_STRING },
                   { "path", COMMAND_LINE_PARAMETER_TYPE_STRING },
                   { "server", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN },
                   { "wait", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN } } },
    { "mon", { { "mode", COMMAND_LINE_PARAMETER_TYPE_STRING },
               { "chardev", COMMAND_LINE_PARAMETER_TYPE_STRING },
               { "pretty", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN } } },
    { "name", { { "guest", COMMAND_LINE_PARAMETER_TYPE_STRING },
                { "process", COMMAND_LINE_PARAMETER_TYPE_STRING },
                { "debug-threads", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN } } },
    { "msg", { { "timestamp", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN },
               { "guest-name", COMMAND_LINE_PARAMETER_TYPE_BOOLEAN } } },
    { "trace", { { "enable", COMMAND_LINE_PARAMETER_TYPE_STRING },
                 { "events", COMMAND_LINE_PARAMETER_TYPE_STRING } } },
    { "tpmdev", { { "type", COMMAND_LINE_PARAMETER_TYPE_STRING },
                  { "chardev", COMMAND_LINE_PARAMETER_TYPE_STRING } } },
};

static CommandLineOptionInfoList *
qmp_query_command_line_options(const char *option, Error **errp)
{
    CommandLineOptionInfoList *head = NULL, **tail = &head;

    for (size_t i = 0; i < ARRAY_SIZE(cmdline_groups); i++) {
        CommandLineOptionInfoList *elem;
        CommandLineParameterInfoList **ptail;

        if (option && strcmp(option, cmdline_groups[i].option)) {
            continue;
        }
        elem = g_new0(CommandLineOptionInfoList, 1);
        elem->value = g_new0(CommandLineOptionInfo, 1);
        elem->value->option = g_strdup(cmdline_groups[i].option);
        ptail = &elem->value->parameters;
        for (const CmdlineParam *p = cmdline_groups[i].params; p->name; p++) {
            CommandLineParameterInfoList *pe =
                g_new0(CommandLineParameterInfoList, 1);

            pe->value = g_new0(CommandLineParameterInfo, 1);
            pe->value->name = g_strdup(p->name);
            pe->value->type = p->type;
            *ptail = pe;
            ptail = &pe->next;
        }
        *tail = elem;
        tail = &elem->next;
    }
    if (option && !head) {
        /* QEMU's message */
        error_setg(errp, "invalid option name: %s", option);
    }
    return head;
}

void vl_register_commands(char **name)
{
    vm_name_ptr = name;
    qmp_register_query_name(qmp_query_name);
    qmp_register_query_command_line_options(qmp_query_command_line_options);
}
